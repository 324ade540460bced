"""Waits for a control plane to answer, logs in as admin and creates a cluster; prints the token and the cluster's API
key on one line. Standard library only, so a fresh machine needs nothing but python3.

Usage: prepare.py BASE_URL ADMIN_PASSWORD SERVER_PID   (the admin password also comes from MARCHPROXY_ADMIN_PASSWORD
when given as "-", so it stays off the command line of the server's process list)
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request


def call(url, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=10) as r:
        return json.load(r)


def main():
    base, password, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if password == "-":
        password = os.environ["MARCHPROXY_ADMIN_PASSWORD"]
    deadline = time.time() + 60
    while True:
        try:
            if call(base + "/observe/health").get("status") == "UP":
                break
        except (urllib.error.URLError, ConnectionError, json.JSONDecodeError):
            pass
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            sys.exit("the control plane exited")
        if time.time() > deadline:
            sys.exit("the control plane did not answer within 60 s")
        time.sleep(0.2)
    token = call(base + "/api/v1/auth/login", {"username": "admin", "password": password})["token"]
    key = call(base + "/api/v1/clusters", {"name": "fuzz"}, token)["apiKey"]
    print(token, key)


if __name__ == "__main__":
    main()
