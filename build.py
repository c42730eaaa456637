import sys
from statuspress.cli import main
sys.exit(main(["build", *sys.argv[1:]]))
