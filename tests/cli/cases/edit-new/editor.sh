# Test editor for --new: shows the template (on stderr), then fills it in, with a key that is
# taken; once textdb reopens the file with the error, shows it and picks a free key.
if grep -q '^# error:' "$1"; then
  echo '--- editor, second round:' >&2
  cat "$1" >&2
  echo '---' >&2
  sed -i 's/^Item: .*/Item: pin-3/' "$1"
else
  echo '--- editor, first round:' >&2
  cat "$1" >&2
  echo '---' >&2
  sed -i -e 's/^Item:$/Item: bolt-m6/' -e 's/^Name:$/Name: Split pin 3 mm/' \
    -e 's/^Count:$/Count: 40/' -e 's/^Location:$/Location: drawer 2/' -e 's/^Tags:$/Tags: metric, steel/' "$1"
fi
