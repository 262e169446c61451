# Test editor: appends a second record; on the second round removes it again and changes the
# count.
if grep -q '^# error:' "$1"; then
  echo '--- editor, second round:' >&2
  cat "$1" >&2
  echo '---' >&2
  sed -i -e '/^Item: extra$/,$d' -e 's/^Count: .*/Count: 76/' "$1"
else
  printf '\nItem: extra\nName: Extra\n' >> "$1"
fi
