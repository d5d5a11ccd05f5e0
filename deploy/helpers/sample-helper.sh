#!/bin/bash
# A sample External Authentication helper for Portcullis (see packages/ext-auth/README.md).
# Usage: sample-helper.sh USERS_FILE   -- USERS_FILE holds lines `user@domain:password`.
# It answers INTF, VRFY (password from the file), NEW (OK for a user in the file), and
# SASL(CRAM-MD5) / SASL(APOP) by computing the expected digest with openssl from the password in
# the file (the sample passes the password to openssl on its command line: fine for a test, not
# for a shared host).
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

# split_args TEXT: the arguments of a request (plain words or "..." quoted) into the array ARGS
split_args() {
  local text=$1 word
  ARGS=()
  while [[ -n $text ]]; do
    text=${text# }
    [[ -z $text ]] && break
    if [[ $text == \"* ]]; then
      local i=1 c
      word=$'"'
      while ((i < ${#text})); do
        c=${text:i:1}
        word+=$c
        if [[ $c == '\' ]]; then i=$((i + 1)); word+=${text:i:1}; elif [[ $c == '"' ]]; then break; fi
        i=$((i + 1))
      done
      text=${text:i+1}
      ARGS+=("$(unquote "$word")")
    else
      word=${text%% *}
      text=${text:${#word}}
      ARGS+=("$word")
    fi
  done
}

password_of() { # password_of USER: prints the password from the file
  local entry
  while IFS= read -r entry || [[ -n $entry ]]; do
    if [[ ${entry%%:*} == "$1" ]]; then printf '%s' "${entry#*:}"; return 0; fi
  done <"$users_file"
  return 1
}

# expected_digest METHOD CHALLENGE PASSWORD: the hex digest the client should send
expected_digest() {
  local out
  case $1 in
    CRAM-MD5) out=$(printf '%s' "$2" | openssl dgst -md5 -hmac "$3" -r) || return 1 ;;
    APOP) out=$(printf '%s%s' "$2" "$3" | openssl dgst -md5 -r) || return 1 ;;
    *) return 1 ;;
  esac
  printf '%s' "${out%% *}"
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
    SASL\(*\))
      method=${cmd#SASL(}
      method=${method%)}
      split_args "$args"
      user=${ARGS[0]:-} challenge=${ARGS[1]:-} response=${ARGS[2],,}
      if pass=$(password_of "$user") && want=$(expected_digest "$method" "$challenge" "$pass") && [[ -n $response && $want == "$response" ]]; then
        echo "$seq OK"
      else
        echo "$seq ERROR wrong password or method"
      fi
      ;;
    *) echo "$seq ERROR unsupported command" ;;
  esac
done
