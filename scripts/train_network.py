"""Train the digit network from its fixed seed and write the weights the package ships.

    .venv/bin/python scripts/train_network.py   # writes convkit/lessons/data/digit_network.npz
    .venv/bin/python scripts/train_network.py --out other.npz

NumPy only, 4 s on an idle machine (45 s on a busy one); prints each epoch's loss and the
held-back test accuracy.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from convkit.lessons.network import WEIGHTS_PATH  # noqa: E402
from convkit.lessons.network_training import (  # noqa: E402
    BATCH,
    EPOCHS,
    LEARNING_RATE,
    SEED,
    TEST_COUNT,
    TRAIN_COUNT,
    save_network,
    train_network,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH, help="where to write the .npz")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    run = train_network()
    for epoch, loss in enumerate(run.losses, start=1):
        print(f"epoch {epoch}: mean loss {loss:.4f}")
    print(f"seed {SEED}, {TRAIN_COUNT} training and {TEST_COUNT} test pictures, {EPOCHS} epochs "
          f"of batches of {BATCH}, Adam step {LEARNING_RATE}")
    print(f"test accuracy {run.test_accuracy:.4f} "
          f"({round(run.test_accuracy * TEST_COUNT)} of {TEST_COUNT}), "
          f"{time.perf_counter() - started:.1f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_network(run, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
