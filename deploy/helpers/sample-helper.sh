#!/bin/bash
# A sample External Authentication helper for Portcullis (see packages/ext-auth/README.md).
# Usage: sample-helper.sh USERS_FILE   -- USERS_FILE holds lines `user@domain:password`.
# It answers INTF, VRFY (password from the file) and NEW (OK for a user in the file).
# A sample only: a real helper asks a real user database and never keeps clear passwords.
users_file=${1:?usage: sample-helper.sh USERS_FILE}

# undo the quoting of one argument: "..." with \" and \\ inside
unquote() {
  local v=$1
  if [[ $v == \"*\" && ${#v} -ge 2 ]]; then
    v=${v:1:${#v}-2}
    local out='' i c
    for ((i = 0; i < ${#v}; i++)); do
      c=${v:i:1}
      if [[ $c == '\' ]]; then i=$((i + 1)); c=${v:i:1}; fi
      out+=$c
    done
    v=$out
  fi
  printf '%s' "$v"
}

known() { # known USER [PASSWORD]
  local entry
  while IFS= read -r entry || [[ -n $entry ]]; do
    if [[ $# -eq 1 && ${entry%%:*} == "$1" ]] || [[ $# -eq 2 && $entry == "$1:$2" ]]; then return 0; fi
  done <"$users_file"
  return 1
}

echo "* sample shell helper started"
while IFS= read -r line; do
  seq=${line%% *}
  rest=${line#* }
  cmd=${rest%% *}
  args=${rest#"$cmd"}
  args=${args# }
  case $cmd in
    INTF) echo "$seq INTF 1" ;;
    VRFY)
      user=${args%% *}
      pass=$(unquote "${args#"$user" }")
      if known "$user" "$pass"; then echo "$seq OK"; else echo "$seq ERROR wrong password"; fi
      ;;
    NEW)
      user=$(unquote "$args")
      if known "$user"; then echo "$seq OK"; else echo "$seq ERROR unknown user"; fi
      ;;
    *) echo "$seq ERROR unsupported command" ;;
  esac
done
