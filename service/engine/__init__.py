"""The process engine: the only code that imports SpiffWorkflow."""
