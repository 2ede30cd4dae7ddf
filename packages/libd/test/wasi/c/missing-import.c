// Calls a function no one defines: linked with --allow-undefined, it becomes an import from module "env".
int not_defined_anywhere(int);

int main(void) { return not_defined_anywhere(1); }
