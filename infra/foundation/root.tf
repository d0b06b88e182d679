# This root's own name: its state key (todo/<stack>/persistent.tfstate) and the Root tag on
# everything it creates. Older than the folder's name (docs/layout.md), and kept, so that
# deployed stacks keep their state and their tags.
locals {
  root_name = "persistent"
}
