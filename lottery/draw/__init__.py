"""The draw: its algorithm (`core`, standard library only), the certificate, the live
reveal, the winners' emails, its reads, pages and admin action.

The services that commit, seal and perform a draw are `lottery.services.draw`.
"""
