# train.sh MODEL DEPTH ARGS...: prints what it was given
echo "model=$1 depth=$2 args=$(echo "$@" | cut -d' ' -f3-)"
