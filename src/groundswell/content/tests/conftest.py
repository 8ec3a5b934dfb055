from groundswell.lib.tests.pageserver import page_server

__all__ = ["page_server"]
