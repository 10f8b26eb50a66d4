#!/bin/sh
# Runs inside the image at build time. The machine's own name comes from its configuration
# at boot; until then it is called "drover".
set -e
echo drover > /etc/hostname
printf '127.0.0.1\tlocalhost\n127.0.1.1\tdrover\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > /etc/hosts
