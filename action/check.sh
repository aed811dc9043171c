#!/usr/bin/env bash
# The action's check step: `headroom check` on each file, the text report in the log, the
# Markdown report in the job summary, SARIF files when asked; the job fails as fail-on says.
# Exit codes of check: 0 pass, 1 fail, 2 bad input, 3 cannot tell (README, "The CLI").
set -uo pipefail

cli="${HEADROOM_CLI:?the setup step gave no CLI}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
fail_on="${INPUT_FAIL_ON:-fail}"
assume="${INPUT_ASSUME:-false}"

# Workflow commands: data escapes %, CR and LF; property values also : and , (GitHub's toolkit, command.ts).
escape_data() { local s="${1//'%'/%25}"; s="${s//$'\r'/%0D}"; printf '%s' "${s//$'\n'/%0A}"; }
escape_property() { local s; s="$(escape_data "$1")"; s="${s//:/%3A}"; printf '%s' "${s//,/%2C}"; }
error() { echo "::error title=Headroom::$(escape_data "$1")"; }
# The worst exit code: bad input over fail over cannot-tell over pass.
rank() { case "$1" in 0) echo 0 ;; 3) echo 1 ;; 1) echo 2 ;; *) echo 3 ;; esac; }

case "$fail_on" in
  fail | cannot-tell | never) ;;
  *) error "fail-on: expected fail, cannot-tell or never, got \"$fail_on\""; exit 2 ;;
esac
case "$assume" in
  true | false) ;;
  *) error "assume: expected true or false, got \"$assume\""; exit 2 ;;
esac

# The files: one per line; a line that names no file is split at spaces.
files=()
while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [ -z "$line" ] && continue
  if [ -e "$line" ]; then
    files+=("$line")
  else
    read -r -a words <<< "$line"
    files+=("${words[@]}")
  fi
done <<< "${INPUT_FILES:-}"
if [ ${#files[@]} -eq 0 ]; then
  error "files: no file named (expected compose files, one per line)"
  exit 2
fi

args=()
[ -n "${INPUT_HOST:-}" ] && args+=(--host "$INPUT_HOST")
while IFS= read -r line; do
  [ -n "${line//[[:space:]]/}" ] && args+=(--evidence "$line")
done <<< "${INPUT_EVIDENCE:-}"
[ "$assume" = true ] && args+=(--assume)

if [ -n "${INPUT_SARIF_DIR:-}" ]; then
  mkdir -p "$INPUT_SARIF_DIR" || { error "sarif-dir: cannot create $INPUT_SARIF_DIR"; exit 2; }
fi

# Code blocks by indentation: no text inside can end them (a fence could be closed by the text).
indented() { sed 's/^/    /'; }

worst=0 failed=0 told=0 bad=0
for i in "${!files[@]}"; do
  file="${files[$i]}"
  echo "::group::headroom check $file"
  err="$(mktemp)"
  node "$cli" check "$file" "${args[@]}" 2> "$err"
  code=$?
  cat "$err" >&2
  echo "::endgroup::"
  case "$code" in
    0 | 1 | 3)
      node "$cli" check "$file" "${args[@]}" --format markdown >> "$summary" 2> /dev/null
      echo >> "$summary"
      if [ -n "${INPUT_SARIF_DIR:-}" ]; then
        name="$(basename "$file")"
        node "$cli" check "$file" "${args[@]}" --format sarif > "$INPUT_SARIF_DIR/$i-${name%.*}.sarif" 2> /dev/null
      fi
      ;;
    *)
      bad=1
      first="$(head -n 1 "$err")"
      hint=""
      case "$(cat "$err")" in
        *"Unknown option '--evidence'"*) hint=" The evidence input needs a Headroom whose check takes --evidence (evidence import)." ;;
        *"Unknown option '--assume'"*) hint=" The assume input needs a Headroom with the cannot-tell verdict (check --assume)." ;;
      esac
      echo "::error file=$(escape_property "$file"),title=Headroom::$(escape_data "${first:-headroom check exited $code}${hint}")"
      {
        echo "### ⚠️ Headroom check: error (exit $code)"
        echo
        echo "The check could not run on this file:${hint}"
        echo
        { echo "$file"; cat "$err"; } | indented
        echo
      } >> "$summary"
      ;;
  esac
  rm -f "$err"
  [ "$code" -eq 1 ] && failed=1
  [ "$code" -eq 3 ] && told=1
  [ "$(rank "$code")" -gt "$(rank "$worst")" ] && worst=$code
done

case "$worst" in 0) outcome=pass ;; 1) outcome=fail ;; 3) outcome=cannot-tell ;; *) outcome=error ;; esac
{
  echo "outcome=$outcome"
  echo "exit-code=$worst"
} >> "${GITHUB_OUTPUT:-/dev/null}"

if [ "$bad" -eq 1 ]; then exit 2; fi
case "$fail_on" in
  fail) [ "$failed" -eq 1 ] && { error "the stack does not fit (fail-on: fail)"; exit 1; } ;;
  cannot-tell) [ "$failed" -eq 1 ] || [ "$told" -eq 1 ] && { error "the stack does not fit, or the pass rests on assumed usage (fail-on: cannot-tell)"; exit 1; } ;;
  never) ;;
esac
exit 0
