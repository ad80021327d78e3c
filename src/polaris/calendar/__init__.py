"""The release calendar (seed 8.2.1): cadences, upcoming releases and their freeze windows."""
