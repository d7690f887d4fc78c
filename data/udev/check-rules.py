#!/usr/bin/env python3
# check-rules.py: checks a udev rules file, with `udevadm verify` when this
# udevadm has it (systemd >= 253), and always with the syntax check below
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Debian 12's udevadm (systemd 252) has no `verify`, and `udevadm test` needs a
# real device and root, so this script reads the rules the way udev's own parser
# (src/udev/udev-rules.c) does: one rule per line (a trailing backslash joins
# lines), comma-separated KEY[{attr}]OP"value" tokens, known keys only, match
# keys with == or != and assignment keys with =, +=, -= or :=, every value
# double-quoted, GOTO targets that exist. It also checks what matters for the
# till: MODE is octal, GROUP names a group, USB ids are 4 lower-case hex digits
# (sysfs prints them that way).
#
# usage: check-rules.py FILE...

import re
import shutil
import subprocess
import sys

MATCH_ONLY = {
    "ACTION", "DEVPATH", "KERNEL", "KERNELS", "NAME_MATCH", "SUBSYSTEM", "SUBSYSTEMS",
    "DRIVER", "DRIVERS", "ATTRS", "TAGS", "TEST", "PROGRAM", "RESULT", "CONST", "SYMLINK_MATCH",
}
ASSIGN_ONLY = {
    "OWNER", "GROUP", "MODE", "SECLABEL", "RUN", "LABEL", "GOTO", "IMPORT", "OPTIONS",
    "SYSCTL_ASSIGN",
}
EITHER = {"NAME", "SYMLINK", "ENV", "TAG", "ATTR", "SYSCTL"}
# Keys whose {attribute} part udev requires (or allows).
NEEDS_ATTR = {"ATTR", "ATTRS", "ENV", "SYSCTL", "CONST", "SECLABEL"}
MAY_ATTR = {"TEST", "IMPORT", "RUN"}
MATCH_OPS = {"==", "!="}
ASSIGN_OPS = {"=", "+=", "-=", ":="}

TOKEN = re.compile(
    r'\s*(?P<key>[A-Z_]+)(?:\{(?P<attr>[^}]*)\})?\s*(?P<op>==|!=|\+=|-=|:=|=)\s*'
    r'"(?P<value>(?:[^"\\]|\\.)*)"\s*(?P<sep>,|$)'
)


def logical_lines(path):
    """Yields (line number, text) with continuation lines joined."""
    with open(path, encoding="utf-8") as f:
        pending, start = "", None
        for number, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if start is None:
                start = number
            if line.endswith("\\"):
                pending += line[:-1]
                continue
            yield start, pending + line
            pending, start = "", None
        if pending:
            yield start, pending


def check_rule(text):
    """Returns (problems, tokens) for one rule."""
    problems, tokens, pos = [], [], 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            problems.append(f"cannot parse from column {pos + 1}: {text[pos:pos + 40]!r}")
            return problems, tokens
        key, attr, op, value = m["key"], m["attr"], m["op"], m["value"]
        tokens.append((key, attr, op, value))
        if key not in MATCH_ONLY | ASSIGN_ONLY | EITHER:
            problems.append(f"unknown key {key}")
        elif key in MATCH_ONLY and op not in MATCH_OPS:
            problems.append(f"{key} is a match key, {op} assigns")
        elif key in ASSIGN_ONLY and op not in ASSIGN_OPS:
            problems.append(f"{key} is an assignment key, {op} matches")
        if key in NEEDS_ATTR and not attr:
            problems.append(f"{key} needs {{attribute}}")
        if attr is not None and key not in NEEDS_ATTR | MAY_ATTR:
            problems.append(f"{key} takes no {{attribute}}")
        if key == "MODE" and op in ASSIGN_OPS and not re.fullmatch(r"0?[0-7]{3,4}", value):
            problems.append(f"MODE {value!r} is not octal")
        if key == "GROUP" and op in ASSIGN_OPS and not re.fullmatch(r"[a-z_][a-z0-9_-]*", value):
            problems.append(f"GROUP {value!r} is not a group name")
        if key in ("ATTR", "ATTRS") and attr in ("idVendor", "idProduct"):
            if not re.fullmatch(r"[0-9a-f]{4}", value):
                problems.append(f"{attr} {value!r} is not 4 lower-case hex digits")
        pos = m.end()
        if m["sep"] == "" and pos < len(text):
            problems.append("tokens must be separated by commas")
    return problems, tokens


def check_file(path):
    problems, labels, gotos = [], set(), []
    for number, line in logical_lines(path):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        rule_problems, tokens = check_rule(stripped)
        problems += [f"{path}:{number}: {p}" for p in rule_problems]
        keys = [t[0] for t in tokens]
        for key, _, _, value in tokens:
            if key == "LABEL":
                labels.add(value)
            elif key == "GOTO":
                gotos.append((number, value))
        if tokens and keys != ["LABEL"] and not any(t[2] in ASSIGN_OPS for t in tokens):
            problems.append(f"{path}:{number}: a rule that assigns nothing does nothing")
    for number, target in gotos:
        if target not in labels:
            problems.append(f"{path}:{number}: GOTO {target!r} has no LABEL")
    return problems


def udevadm_verify(paths):
    """Runs `udevadm verify` if this udevadm has it; None when it has not."""
    udevadm = shutil.which("udevadm")
    if udevadm is None:
        return None
    probe = subprocess.run([udevadm, "verify", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        return None
    # The group is made by the package later: do not resolve names here.
    result = subprocess.run([udevadm, "verify", "--resolve-names=never", *paths],
                            capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode == 0


# Rules the check must reject, each for the reason beside it.
BAD_RULES = [
    ('SUBSYSTEM="usb", GROUP="opentill"', "match key assigned"),
    ('SUBSYSTEM=="usb", GROUP=="opentill"', "assignment key matched"),
    ('SUBSYSTEM=="usb" GROUP="opentill"', "no comma"),
    ('SUBSYSTEM=="usb", MODE="0668"', "MODE not octal"),
    ('SUBSYSTEM=="usb", ATTR{idVendor}=="04B8", MODE="0660"', "upper-case hex"),
    ('SUBSYSTEM=="usb", ATTRS{idVendor}=="416", MODE="0660"', "short id"),
    ('SUBSYSTEMS=="usb", ATTR=="x", MODE="0660"', "ATTR without attribute"),
    ('SUBSYSTEM=="usb", GRUOP="opentill"', "unknown key"),
    ('SUBSYSTEM=="usb", GROUP=opentill', "unquoted value"),
    ('SUBSYSTEM=="usb", KERNEL=="lp*"', "assigns nothing"),
    ('GOTO="nowhere"', "GOTO without LABEL"),
]


def self_test():
    import os
    import tempfile

    failures = 0
    for rule, why in BAD_RULES:
        with tempfile.NamedTemporaryFile("w", suffix=".rules", delete=False) as f:
            f.write(rule + "\n")
        try:
            if not check_file(f.name):
                print(f"self-test: accepted a rule with {why}: {rule}")
                failures += 1
        finally:
            os.unlink(f.name)
    return failures


def main(argv):
    if self_test() != 0:
        return 1
    if len(argv) < 2:
        print(f"usage: {argv[0]} FILE...", file=sys.stderr)
        return 2
    problems = []
    for path in argv[1:]:
        problems += check_file(path)
    for problem in problems:
        print(problem)
    verified = udevadm_verify(argv[1:])
    if verified is None:
        print("udevadm verify: not available here (systemd < 253); syntax checked by this script")
    elif verified:
        print("udevadm verify: OK")
    return 1 if problems or verified is False else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
