"""Microsoft Teams: a Bot Framework bot (docs/adr/0041). Inbound activities are verified in ``auth``, outbound
calls go through the one choke point ``client``, cards are drawn in ``cards`` and activities handled in
``activities``; ``platform`` plugs Teams into the chat core's dispatch."""
