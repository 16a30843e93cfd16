import sys

from qa_app.cli import main

sys.exit(main())
