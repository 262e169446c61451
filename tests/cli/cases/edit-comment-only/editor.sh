# Test editor: changes only the comment inside the record.
sed -i 's/^# counted .*/# recounted 2027-01-05/' "$1"
