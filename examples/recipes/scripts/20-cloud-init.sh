#!/bin/sh
# Runs inside the image at build time (examples/recipes/debian-cloud.json): cloud-init takes
# the machine's configuration from Drover's NoCloud data at every boot. The recipe's kernel
# argument "ds=nocloud" becomes, in each boot script, this boot's own seed URL on the boot
# server (with the boot id and token the NoCloud routes require).
# 90-drover.cfg: NoCloud is the only datasource (cloud-init's generator enables it without
# probing), the network stays as Drover's init set it up, the host keys stay as
# drover-hostkeys.service made them, and only the modules a stateless lab machine needs run.
set -e
mkdir -p /etc/cloud/cloud.cfg.d
cat >/etc/cloud/cloud.cfg.d/90-drover.cfg <<'CFG'
# Drover: this machine configures itself from the NoCloud data of the boot server.
datasource_list: [ NoCloud, None ]
# The init configured the network before systemd started; the data's network-config is
# not applied a second time.
network: {config: disabled}
# drover-hostkeys.service made this boot's host keys before sshd starts.
ssh_deletekeys: false
ssh_genkeytypes: []
cloud_init_modules: [write_files, set_hostname, update_hostname, update_etc_hosts, users_groups, ssh]
cloud_config_modules: [runcmd]
cloud_final_modules: [write_files_deferred, scripts_per_once, scripts_per_boot, scripts_per_instance, scripts_user, final_message]
CFG
