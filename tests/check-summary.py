#!/usr/bin/env python3
"""Sums the Check results of every suite in a meson test log.

Prints each suite's Check closing line, then one line `check: N passed, M failed`
counting individual Check tests (a suite that crashed before Check could report
counts as one failure). Exits non-zero when anything failed.
"""
import json
import re
import sys

CHECK_LINE = re.compile(r"(\d+)%: Checks: (\d+), Failures: (\d+), Errors: (\d+)")


def main(path):
    passed = failed = 0
    with open(path, encoding="utf-8") as log:
        for raw in log:
            test = json.loads(raw)
            output = (test.get("stdout") or "") + (test.get("stderr") or "")
            match = None
            for match in CHECK_LINE.finditer(output):
                pass
            ok = test.get("result") == "OK"
            if match:
                checks, failures, errors = (int(match.group(i)) for i in (2, 3, 4))
                print(f"{test['name']}: {match.group(0)}")
                passed += checks - failures - errors
                failed += failures + errors
                if not ok and failures + errors == 0:
                    failed += 1
            else:
                print(f"{test['name']}: {test.get('result')}")
                if ok:
                    passed += 1
                else:
                    failed += 1
    print(f"check: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
