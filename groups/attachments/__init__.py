"""Images shared in group rooms: checked and re-encoded, stored privately, served to members."""
