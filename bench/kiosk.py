"""`python -m bench.kiosk URL OUT.json`: data for driving the API with wrk (bench/kiosk_submit.lua).

Fills an empty, migrated database (URL) with bench/generate.py's platform and an open campaign per
institution, and writes OUT.json with real subjects' tokens (valid for two hours): a kiosk's
(feedback device) token, the campaign its submissions go to, and a director's token with the path
of an authenticated read. Then, with a server on CIKLAS_DATABASE_URL=URL and the same key:

    wrk -t2 -c64 -d30s -s bench/kiosk_submit.lua http://127.0.0.1:8101 -- OUT.json
    wrk -t2 -c32 -d30s -s bench/authenticated_read.lua http://127.0.0.1:8101 -- OUT.json
"""

from __future__ import annotations

import argparse
import json

import sqlalchemy as sa

from api.config import Settings
from api.migrations import upgrade
from api.security.tokens import TokenService
from bench import surveys
from bench.generate import generate_organisation


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--key-file", required=True, help="PEM private key the server signs with too")
    args = parser.parse_args()
    upgrade(args.url)
    engine = sa.create_engine(args.url)
    data = generate_organisation(engine, municipalities=2, institutions=4)
    campaigns = surveys.generate_campaigns(engine, data)
    engine.dispose()
    with open(args.key_file) as fh:
        key = fh.read()
    tokens = TokenService(Settings(environment="test", database_url=args.url, jwt_private_key=key))
    inst = data.institutions[0]["id"]
    device, _, _ = tokens.issue(
        subject=str(data.devices[inst]),
        ttl_seconds=7200,
        claims={"kind": "client", "role": "feedback_device", "institution": str(inst)},
    )
    director, _, _ = tokens.issue(
        subject=str(data.users[(inst, "director")][0]),
        ttl_seconds=7200,
        claims={"kind": "user", "role": "director", "institution": str(inst)},
    )
    with open(args.out, "w") as fh:
        json.dump(
            {
                "device_token": device,
                "director_token": director,
                "submit_path": f"/api/v1/surveys/campaigns/{campaigns[inst]['campaign_id']}/responses",
                "campaign_id": str(campaigns[inst]["campaign_id"]),
                "read_path": f"/api/v1/institutions/{inst}",
                "questions": surveys.QUESTIONS,
            },
            fh,
        )
    print(json.dumps({"url": args.url, "out": args.out}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
