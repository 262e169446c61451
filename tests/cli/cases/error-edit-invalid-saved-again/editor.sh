# Test editor: saves an invalid Count, then saves the file with the errors unchanged.
sed -i 's/^Count: [0-9]*$/Count: lots/' "$1"
