"""Users of a workspace: who acts (`User`), the roles they hold, the departments they work in.

- `user.py` — the `User` every service takes, the declared roles, `SYSTEM` for model runs;
- `departments.py` — the procuratorate's department list (bundled or from shujian.toml) and the
  check every department given to a service passes;
- `accounts.py` — the accounts table's rules: who may act, who may be given a lead or a case.
"""

from shujian.users.departments import Departments, departments_of
from shujian.users.user import SYSTEM, User

__all__ = ["SYSTEM", "Departments", "User", "departments_of"]
