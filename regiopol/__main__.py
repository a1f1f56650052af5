import sys

from regiopol.run.cli import main

sys.exit(main())
