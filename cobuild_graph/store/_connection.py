"""The connection to Neo4j: the driver, the database, and the driver's errors in our words."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import neo4j
import neo4j.exceptions as neo4j_errors

from cobuild_graph.errors import (
    Neo4jAuthError,
    Neo4jConfigError,
    Neo4jConnectionError,
    Neo4jPermissionError,
    StoreError,
)

T = TypeVar("T")

#: URI schemes of the Neo4j driver.
URI_SCHEMES: tuple[str, ...] = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


#: Notifications the store's own driver does not ask for (see :class:`Connection`).
QUIET_ABOUT = [neo4j.NotificationDisabledClassification.UNRECOGNIZED]


class Connection:
    """A driver and the database it works in, checked on opening.

    Parameters
    ----------
    endpoint
        A Neo4j URI without credentials, or an open ``neo4j.Driver`` (left open by
        :meth:`close`).
    auth
        ``(user, password)`` for a URI; ``None`` for a server without authentication.
    database
        The database; the user's home database when ``None``.
    **config
        Passed to ``neo4j.GraphDatabase.driver`` with a URI. Unless it says otherwise, the
        server's "unrecognized" notifications are off: the store's queries name labels and
        properties that an empty database does not have yet, and the driver would log a
        warning for each.
    """

    def __init__(
        self,
        endpoint: str | neo4j.Driver,
        auth: tuple[str, str] | None,
        database: str | None,
        **config: Any,
    ) -> None:
        self.database = database or None
        self._user = auth[0] if auth else None
        self._password_missing = auth is None
        self.driver: neo4j.Driver
        if isinstance(endpoint, neo4j.Driver):
            if auth is not None or config:
                raise Neo4jConfigError(
                    "auth and driver settings come with a URI; an existing driver has its own"
                )
            self.address = "the server of the given driver"
            self.driver, self._owns_driver = endpoint, False
        else:
            self.address = check_uri(endpoint)
            try:
                config.setdefault("notifications_disabled_classifications", QUIET_ABOUT)
                driver = neo4j.GraphDatabase.driver(endpoint, auth=auth, **config)
            except (ValueError, neo4j_errors.ConfigurationError) as error:
                raise Neo4jConfigError(
                    f"cannot use the Neo4j URI {self.address}: {error}. Use bolt://host:7687, "
                    "neo4j://host:7687 or neo4j+s://host (Aura)."
                ) from None
            self.driver, self._owns_driver = driver, True
        try:
            self._check()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the driver if this connection opened it."""
        if self._owns_driver:
            self.driver.close()

    def _check(self) -> None:
        # An auto-commit query is not retried: an unreachable server fails at once.
        with (
            self.translated("connect"),
            self.driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS
            ) as session,
        ):
            session.run("RETURN 1").consume()

    @contextmanager
    def translated(self, action: str) -> Iterator[None]:
        """Turn the driver's errors into the library's, with what to do about them."""
        try:
            yield
        except neo4j_errors.AuthError as error:
            self._auth_failed(error)
        except neo4j_errors.Forbidden as error:
            raise Neo4jPermissionError(
                f"Neo4j user {self._user!r} may not {action} in database "
                f"{self.database or '(home)'}: {error.message}. Ask an administrator to grant "
                "it; the constraints an administrator can create once are listed by "
                "Neo4jStore.schema_statements()."
            ) from error
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired) as error:
            raise Neo4jConnectionError(
                f"cannot reach Neo4j at {self.address} to {action}: {error}. Is the server "
                "running and NEO4J_URI right? For a local test server run "
                "cobuild-graph neo4j start."
            ) from error
        except neo4j_errors.ClientError as error:
            if error.code == "Neo.ClientError.Database.DatabaseNotFound":
                raise StoreError(
                    f"Neo4j at {self.address} has no database {self.database!r}: check "
                    "NEO4J_DATABASE (Community edition has one user database, 'neo4j')."
                ) from error
            raise StoreError(f"Neo4j refused to {action}: {error.message}") from error
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as error:
            if getattr(error, "code", None) == "Neo.TransientError.General.DatabaseUnavailable":
                # a server starting or stopping answers before it opens or closes the database
                raise Neo4jConnectionError(
                    f"cannot reach Neo4j at {self.address} to {action}: the database is not "
                    "available (the server is starting or stopping). Run it again when the "
                    "server is up: loads are idempotent."
                ) from error
            raise StoreError(
                f"Neo4j failed to {action}: {error}. If the server was busy or restarting, "
                "run it again: loads are idempotent."
            ) from error

    def _auth_failed(self, error: neo4j_errors.AuthError) -> NoReturn:
        if error.code == "Neo.ClientError.Security.AuthenticationRateLimit":
            advice = "too many failed logins: wait a few seconds, then check NEO4J_PASSWORD"
        elif self._password_missing:
            advice = "no password was given: set NEO4J_PASSWORD"
        else:
            advice = (
                "wrong user name or password: check NEO4J_USERNAME and NEO4J_PASSWORD "
                "(cobuild-graph neo4j start prints them for a local test server)"
            )
        raise Neo4jAuthError(
            f"Neo4j at {self.address} refused the login of user {self._user!r}: {advice}."
        ) from error

    def query(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        *,
        action: str,
        write: bool = False,
        transform: Callable[[neo4j.Result], Any] = neo4j.Result.to_df,
    ) -> Any:
        """Run one query (a DataFrame of its records, unless `transform` says otherwise).

        `action` says what the query does, for the error messages.
        """
        routing = neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ
        with self.translated(action):
            return self.driver.execute_query(
                cypher,
                dict(params or {}),
                routing_=routing,
                database_=self.database,
                result_transformer_=transform,
            )

    def transaction(self, work: Callable[[neo4j.ManagedTransaction], T], *, write: bool) -> T:
        """Run `work` in a managed transaction, retried on transient errors.

        Its session sees every earlier write of the store (also on a cluster).
        """
        with self.driver.session(
            database=self.database,
            bookmark_manager=self.driver.execute_query_bookmark_manager,
        ) as session:
            return session.execute_write(work) if write else session.execute_read(work)

    def write(self, cypher: str, params: Mapping[str, Any]) -> Any:
        """Run one write statement in a managed transaction; returns its single value."""

        def work(tx: neo4j.ManagedTransaction) -> Any:
            record = tx.run(cypher, params).single()
            return record[0] if record is not None else None

        return self.transaction(work, write=True)


def check_uri(uri: str) -> str:
    """The URI as messages show it; refuses credentials in it and non-Neo4j schemes."""
    if not isinstance(uri, str) or not uri.strip():
        raise Neo4jConfigError("the Neo4j URI is empty: set NEO4J_URI, e.g. bolt://localhost:7687")
    scheme, _, rest = uri.partition("://")
    authority = rest.split("/", 1)[0].split("?", 1)[0]
    if "@" in authority:
        host = authority.rpartition("@")[2]
        raise Neo4jConfigError(
            f"the Neo4j URI {scheme}://***@{host} holds a user name or password: remove them "
            "from the URI and set NEO4J_USERNAME and NEO4J_PASSWORD (or pass auth=(user, "
            "password)) instead, so that the password stays out of logs and shell history"
        )
    parts = urlsplit(uri)
    if parts.scheme.lower() not in URI_SCHEMES or not parts.netloc:
        raise Neo4jConfigError(
            f"not a Neo4j URI: {uri!r}; use bolt://host:7687, neo4j://host:7687 or "
            "neo4j+s://host (Aura)"
        )
    return f"{parts.scheme}://{parts.netloc}"
