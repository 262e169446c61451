# Test editor: breaks the deb822 syntax first (a space before ':'); once textdb reopens the
# file with the error, shows it and repairs the line.
if grep -q '^# error:' "$1"; then
  echo '--- editor, second round:' >&2
  cat "$1" >&2
  echo '---' >&2
  sed -i 's/^Location :/Location:/' "$1"
else
  sed -i -e 's/^Location:/Location :/' -e 's/^Count: .*/Count: 341/' "$1"
fi
