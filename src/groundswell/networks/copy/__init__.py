"""Copy link: the member copies the tracked link and caption; nothing to open, no API."""
