"""The base class of the errors a user fixes from the message alone."""


class UserError(Exception):
    """Bad config, bad data files or a diverged run: the message names the problem and the fix.

    A traceback would only bury that message, so the rule scripts (``fprinciple.io.logging_to``)
    and the workflow's config check print the message alone. Any other exception is a bug in
    the code and keeps its traceback.
    """
