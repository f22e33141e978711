"""The `tap-amazon-sp` command (also `python -m tap_amazon_sp`).

Termination signals are handled from its first instant: importing the SDK takes a second or two,
and Ctrl-C then would print a KeyboardInterrupt traceback. From the tap's creation on, the tap's
own handler takes over (stopping.py).
"""

from __future__ import annotations

from tap_amazon_sp import stopping


def main() -> None:
    """Run the tap's command line."""
    stopping.before_start()
    from tap_amazon_sp.tap import TapAmazonSP

    TapAmazonSP.cli()


if __name__ == "__main__":
    main()
