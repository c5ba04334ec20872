#include "app/server_main.h"

int main(int argc, char *argv[])
{
    return spidi::serverMain(argc, argv);
}
