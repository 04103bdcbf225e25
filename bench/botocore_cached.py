"""Times, inside one Python process, what the AWS CLI v1 does to get credentials for a
profile: a new botocore session resolving them, with the CLI's own JSON file cache
(~/.aws/cli/cache) on the assume-role provider as awscli's assumerole customization
sets it. Run with the test venv's python: botocore_cached.py PROFILE RUNS -> JSON list
of seconds. The whole-call difference (`aws` with a role profile minus static keys) is
buried in the ~0.5 s interpreter start; this isolates it."""

import json
import os
import sys
import time

import botocore.session
from botocore.credentials import JSONFileCache


def once(profile):
    t0 = time.perf_counter()
    s = botocore.session.Session(profile=profile)
    provider = s.get_component("credential_provider").get_provider("assume-role")
    provider.cache = JSONFileCache(os.path.expanduser(os.path.join("~", ".aws", "cli", "cache")))
    s.get_credentials().get_frozen_credentials()
    return time.perf_counter() - t0


profile, runs = sys.argv[1], int(sys.argv[2])
for _ in range(3):
    once(profile)
print(json.dumps([once(profile) for _ in range(runs)]))
