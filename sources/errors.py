class SourceError(Exception):
    """A source could not be fetched or parsed. The message is one actionable line:
    which source, which URL or file, what is wrong."""

    def __init__(self, source_id: str, location: str, problem: str):
        self.source_id = source_id
        self.location = location
        self.problem = problem
        super().__init__(f"source {source_id}: {problem} [{location}]")
