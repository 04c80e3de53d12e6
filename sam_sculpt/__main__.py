"""`python -m sam_sculpt` == `sam-sculpt`."""

from sam_sculpt.launcher import main

raise SystemExit(main())
