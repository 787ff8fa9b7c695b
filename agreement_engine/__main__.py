"""Run the command line as ``python -m agreement_engine``."""
from agreement_engine.cli import main

if __name__ == "__main__":
    main(prog_name="agreement-engine")
