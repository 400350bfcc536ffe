"""Small text helpers shared by the apps."""


def normalise_newlines(text: str) -> str:
    """CRLF and CR as LF: browsers send a textarea's line breaks as CRLF, people see and copy LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
