"""`python -m motionmusic` runs the same CLI as the console script."""

from motionmusic.cli.main import main

main()
