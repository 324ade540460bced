/**
 * Unchecked access to native memory for the per-packet path: {@link io.marchproxy.dataplane.memory.UncheckedMemory},
 * whose reads and writes skip the bounds and liveness checks of the segment that owns the memory. Not exported by the
 * module: only the dataplane's own code that proves each access in bounds uses it (the rule, and who, is in the class).
 * Depends on nothing of the project.
 */
package io.marchproxy.dataplane.memory;
