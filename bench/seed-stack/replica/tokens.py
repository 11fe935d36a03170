"""Token ids of texts, for the agreement check: JSON list of strings on stdin -> JSON list of id lists.

    python3 -m replica.tokens TABLES_JSON < texts.json
"""
import json
import sys

from .text import Tokenizer


def main() -> None:
    tokenizer = Tokenizer.from_file(sys.argv[1])
    texts = json.loads(sys.stdin.read())
    json.dump({"unicode": tokenizer.unicode, "ids": [tokenizer.ids(t) for t in texts]}, sys.stdout)


if __name__ == "__main__":
    main()
