"""Directory calls: who a person is in Microsoft Entra, by their address."""

from __future__ import annotations

from graph.calls import GatewayCalls
from graph.errors import NotFound, graph_call


class DirectoryCalls(GatewayCalls):
    """Look people up; confbot needs the chair's object id to reach them in Teams."""

    @graph_call
    async def user_object_id(self, address: str) -> str:
        """The Entra object id of the user with this address (User.Read.All, or the chair)."""
        from msgraph.generated.users.item.user_item_request_builder import (
            UserItemRequestBuilder,
        )

        query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(select=["id"])
        user = await self._client.users.by_user_id(address).get(self._config(query))
        if user is None or not user.id:
            raise NotFound("no such user", status=404)
        return str(user.id)
