"""Spark Connect addresses (`[engine.spark] master = "sc://host:port"`), read without pyspark.

The address is checked when shujian.toml is read (`settings.py`), and the server is reached
with a plain TCP connection before a session is opened (`engine.spark.session`): pyspark's
client retries an unreachable server for ten minutes or more before it gives up, with an
English message.

The address follows pyspark's `DefaultChannelBuilder`: `sc://host[:port][/;key=value;…]`, port
15002 when none is written. A parameter may carry a secret (`token=…`): messages name the
host and port only (`ConnectAddress.endpoint`).
"""

from __future__ import annotations

import json
import socket
import urllib.parse
from dataclasses import dataclass

SCHEME = "sc://"
DEFAULT_PORT = 15002

EXAMPLE = "sc://主机:端口，例如 sc://10.1.2.3:15002"


@dataclass(frozen=True)
class ConnectAddress:
    host: str
    port: int

    @property
    def endpoint(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def is_connect(master: str) -> bool:
    return master.startswith(SCHEME)


def connect_address(master: str) -> ConnectAddress:
    """The server's host and port; ValueError (a Chinese reason) for an address pyspark would
    refuse."""
    if not is_connect(master):
        raise ValueError(f"Spark Connect 地址以 {SCHEME} 开头")
    url = urllib.parse.urlparse("http" + master[2:])
    if url.path not in ("", "/"):
        raise ValueError(f"主机和端口之后不能有路径（“{url.path}”）")
    for param in url.params.split(";") if url.params else ():
        if param.count("=") != 1:
            raise ValueError(f"参数“{param.split('=')[0]}”应写成 名称=值")
    if not url.hostname:
        raise ValueError("缺少主机名")
    try:
        port = url.port
    except ValueError:
        raise ValueError("端口应为 1 至 65535 的整数") from None
    if port == 0:
        raise ValueError("端口应为 1 至 65535 的整数")
    return ConnectAddress(url.hostname, port if port is not None else DEFAULT_PORT)


def connect_problem(master: str) -> str:
    """Why `master` is not a usable Spark Connect address, with the value received (secrets
    hidden); empty when it is one, or names no Spark Connect server."""
    if not is_connect(master):
        return ""
    try:
        connect_address(master)
    except ValueError as error:
        shown = json.dumps(without_secrets(master), ensure_ascii=False)
        return f"不是有效的 Spark Connect 地址：{error}。应写成 {EXAMPLE}，收到：{shown}"
    return ""


def without_secrets(master: str) -> str:
    """`master` as it may be shown: the value of every parameter but the harmless ones hidden."""
    if not is_connect(master) or ";" not in master:
        return master
    head, *params = master.split(";")
    shown = ("use_ssl", "user_agent")
    return ";".join(
        [head] + [p if p.split("=")[0] in shown else p.split("=")[0] + "=…" for p in params]
    )


def unreachable(address: ConnectAddress, timeout: float = 10.0) -> str:
    """Why a TCP connection to the server cannot be opened (in Chinese); empty when it can."""
    try:
        with socket.create_connection((address.host, address.port), timeout=timeout):
            return ""
    except socket.gaierror:
        return f"主机名 {address.host} 无法解析"
    except ConnectionRefusedError:
        return "连接被拒绝（该端口上没有服务在监听）"
    except TimeoutError:
        return f"{timeout:g} 秒内没有响应（主机不可达，或防火墙拦截了该端口）"
    except OSError as error:
        return f"网络错误（{error.strerror or type(error).__name__}）"
