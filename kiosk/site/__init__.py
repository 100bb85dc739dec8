"""One site, many kiosks: each kiosk's metrics (:mod:`~kiosk.site.metrics`), its background side while it
runs (:mod:`~kiosk.site.runtime`: delivery, heartbeat, metrics endpoint), and the site page that lists every
kiosk of the site (:mod:`~kiosk.site.page`). No personal data anywhere: counts, durations and states."""
