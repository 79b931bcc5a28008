"""首页: for now who is signed in, with which roles, in which procuratorate.

The dashboard (leads per model, the monthly trend, the funnel, deadlines) replaces it.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from shujian.web.auth import SignedInUser
from shujian.web.pages import render

router = APIRouter()


@router.get("/")
def home(request: Request, user: SignedInUser) -> Response:
    return render(request, "home.html")
