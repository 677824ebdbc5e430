# features.sh IN SEP OUT
tr ',' "$2" < "$1" > "$3"
