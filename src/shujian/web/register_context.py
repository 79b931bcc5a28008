"""What every page of the 未成年人 family opens once per request: the register, the user, today,
and the one way a service's refusal becomes a page."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from shujian.beijing import today_in_china
from shujian.errors import UserError
from shujian.juvenile.service import Register
from shujian.users.access import scope_of
from shujian.users.user import User
from shujian.web.pages import refusal_status, render


class RegisterContext:
    """The register and the user with their grants for today (a helping unit's minors)."""

    def __init__(self, request: Request, user: User) -> None:
        self.request = request
        self.today = today_in_china()
        self.register = Register(request.app.state.workspace)
        self.user = self.register.with_grants(user, self.today)

    def refused(self, error: UserError) -> Response:
        """A service's refusal as its page: 404 for what is not seen (or missing), 403 for a
        role's refusal, else 400 with the message."""
        status = refusal_status(error)
        if status == 404:
            raise HTTPException(status_code=404) from error
        return render(
            self.request,
            "error.html",
            {"title": "无权访问" if status == 403 else "未能完成", "message": error.message},
            status_code=status,
        )


class OwnWorkContext(RegisterContext):
    """The same for the procuratorate's own work (督办, 督促监护令, 附条件不起诉): a helping
    unit's account is answered 404, as for a page that does not exist."""

    def __init__(self, request: Request, user: User) -> None:
        if scope_of(user).kind == "records":
            raise HTTPException(status_code=404)
        self.request = request
        self.today = today_in_china()
        self.register = Register(request.app.state.workspace)
        self.user = user
