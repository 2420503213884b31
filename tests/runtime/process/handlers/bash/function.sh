function handler () {
  EVENT_DATA=$1
  echo "$EVENT_DATA" 1>&2
  case "$EVENT_DATA" in
    *fail*) return 1 ;;
  esac
  RESPONSE="{\"echo\": $EVENT_DATA}"
  echo "$RESPONSE"
}
