# Test editor: changes the key (the record moves to its new key) and the count.
sed -i -e 's/^Item: bolt-m8$/Item: bolt-m10/' -e 's/^Name: .*/Name: Hex bolt M10×40/' "$1"
