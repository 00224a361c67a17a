"""The demo company: Harbour & Pine Hotels, generated into an empty database."""

from centric.demo.generator import DemoSummary, generate_demo

__all__ = ["DemoSummary", "generate_demo"]
