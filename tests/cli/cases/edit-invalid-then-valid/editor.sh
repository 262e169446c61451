# Test editor: saves an invalid Count first; once textdb reopens the file with its errors,
# shows what it got (on stderr) and saves a valid Count.
if grep -q '^# error:' "$1"; then
  echo '--- editor, second round:' >&2
  cat "$1" >&2
  echo '---' >&2
  sed -i 's/^Count: .*/Count: 99/' "$1"
else
  sed -i 's/^Count: .*/Count: lots/' "$1"
fi
