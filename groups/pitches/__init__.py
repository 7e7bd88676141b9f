"""Coup de pouce: members write their own profile pitch, peers review it, a weekly
showcase publishes it."""
