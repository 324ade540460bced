// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdprelay: attaches xdp_relay (perf-lab/c/xdp_drop.bpf.c) to --from in native mode, redirecting every frame that
 * arrives there into --to (its DEVMAP entry), and exits; the program stays attached until the interface goes (the
 * lab's namespaces are deleted at teardown). perf-lab lb --source xdp uses it so that udpgen's frames reach the DUT
 * as XDP frames (perf-lab/README.md).
 *
 *   xdprelay --from IF --to IF --bpf-object OBJ
 */
#include "lab_common.h"

#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define PROG "xdprelay"

int main(int argc, char **argv)
{
	const char *from = NULL, *to = NULL, *object = NULL;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	uint32_t key = 0, to_index;
	int err;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: xdprelay --from IF --to IF --bpf-object OBJ\n");
			return 0;
		}
		if (!v)
			lab_die(PROG, "option %s needs a value", a);
		i++;
		if (!strcmp(a, "--from"))
			from = v;
		else if (!strcmp(a, "--to"))
			to = v;
		else if (!strcmp(a, "--bpf-object"))
			object = v;
		else
			lab_die(PROG, "unknown option %s", a);
	}
	if (!from || !to || !object)
		lab_die(PROG, "--from, --to and --bpf-object are required");
	to_index = lab_ifindex(PROG, to);
	obj = bpf_object__open_file(object, NULL);
	if (!obj)
		lab_die(PROG, "cannot open BPF object %s: %s", object, strerror(errno));
	/* only xdp_relay is loaded: the object's other programs are attached by others (ip link) */
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, !strcmp(bpf_program__name(prog), "xdp_relay"));
	err = bpf_object__load(obj);
	if (err)
		lab_die(PROG, "cannot load BPF object %s: %s", object, strerror(-err));
	prog = bpf_object__find_program_by_name(obj, "xdp_relay");
	map = bpf_object__find_map_by_name(obj, "relay_port");
	if (!prog || !map)
		lab_die(PROG, "program xdp_relay / map relay_port not found in %s", object);
	if (bpf_map_update_elem(bpf_map__fd(map), &key, &to_index, BPF_ANY))
		lab_die(PROG, "relay_port[0] = %s: %s", to, strerror(errno));
	err = bpf_xdp_attach((int)lab_ifindex(PROG, from), bpf_program__fd(prog), XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		lab_die(PROG, "attaching xdp_relay to %s: %s", from, strerror(-err));
	bpf_object__close(obj);
	return 0;
}
