# prepare.sh REGION ROWS OUT: writes ROWS lines for REGION
i=0
: > "$3"
while [ "$i" -lt "$2" ]; do
	echo "$1,$i" >> "$3"
	i=$((i + 1))
done
