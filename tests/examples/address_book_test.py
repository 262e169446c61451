#!/usr/bin/python3
"""Runs libtextdb/examples/address_book on a temporary directory and checks each command's
standard output, standard error and exit status, and the data file it leaves (plain deb822)."""
import os
import subprocess
import sys
import tempfile

FAILURES = []


def run(program, db, args, status, stdout, stderr=None):
    done = subprocess.run([program, db] + args, capture_output=True, text=True, check=False)
    what = " ".join(args)
    if done.returncode != status:
        FAILURES.append(f"{what}: exit {done.returncode}, expected {status}\n{done.stderr}")
    if done.stdout != stdout:
        FAILURES.append(f"{what}: stdout {done.stdout!r}, expected {stdout!r}")
    if stderr is not None and stderr not in done.stderr:
        FAILURES.append(f"{what}: stderr {done.stderr!r} lacks {stderr!r}")


def main():
    program = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "book")
        run(program, db, ["list"], 1, "")  # created on first use, empty
        run(program, db, ["add", "Ada", "--email", "ada@example.org", "--born", "1815-12-10",
                          "--tag", "maths", "--tag", "engines"], 0, "added Ada\n")
        run(program, db, ["add", "Charles", "--circle", "work", "--tag", "engines"], 0,
            "added Charles\n")
        run(program, db, ["add", "Mary", "--circle", "family"], 0, "added Mary\n")
        run(program, db, ["list"], 0,
            "Ada <ada@example.org> born 1815-12-10 (friend) #maths #engines\n"
            "Charles (work) #engines\n"
            "Mary (family)\n")
        run(program, db, ["find", "engines"], 0,
            "Ada <ada@example.org> born 1815-12-10 (friend) #maths #engines\n"
            "Charles (work) #engines\n")
        run(program, db, ["find", "poetry"], 1, "")
        run(program, db, ["get", "Mary"], 0, "Mary (family)\n")
        run(program, db, ["get", "Nobody"], 1, "")
        run(program, db, ["remove", "Charles"], 0, "removed Charles\n")
        run(program, db, ["remove", "Charles"], 1, "")
        run(program, db, ["find", "engines"], 0,
            "Ada <ada@example.org> born 1815-12-10 (friend) #maths #engines\n")
        # Bad values are refused with the reason, and nothing is stored.
        run(program, db, ["add", "Bad", "--born", "1815-02-30"], 2, "",
            "--born: not a date; expected YYYY-MM-DD")
        run(program, db, ["add", "Bad", "--circle", "enemy"], 2, "",
            "--circle: not one of the names: family, friend, work [S-106]")
        run(program, db, ["add", "Bad", "--tag", "a,b"], 2, "",
            "field 'Tags': cannot write the list value")
        run(program, db, ["frobnicate"], 2, "", "usage: address_book")
        # The data file is plain deb822, the fields in the order RecordTraits declares them.
        data = [os.path.join(root, name) for root, _, names in os.walk(os.path.join(db, "contacts"))
                for name in names if name.endswith(".deb822") and name != "schema.deb822"]
        text = "".join(open(path, encoding="utf-8").read() for path in sorted(data))
        if "Name: Ada\nEmail: ada@example.org\nBorn: 1815-12-10\nCircle: friend\n" \
           "Tags: maths, engines\n" not in text:
            FAILURES.append(f"unexpected data files:\n{text}")
    if FAILURES:
        print("\n".join(FAILURES))
        return 1
    print("address_book: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
