"""Prints where Python looks for modules installed under a prefix: Debian's
python3 reads /usr/local/lib/python3.X/dist-packages (its posix_local scheme)
and /usr/lib/python3/dist-packages, not the site-packages other systems use.

    python3 site_dir.py PREFIX"""

import sys
import sysconfig

prefix = sys.argv[1].rstrip("/") or "/"
schemes = sysconfig.get_scheme_names()
if prefix == "/usr" and "deb_system" in schemes:
    scheme, base = "deb_system", prefix
elif prefix == "/usr/local" and "posix_local" in schemes:
    scheme, base = "posix_local", "/usr"  # the scheme adds the /local
else:
    scheme, base = "posix_prefix", prefix
print(sysconfig.get_path("platlib", scheme, vars={"base": base, "platbase": base}))
